"""loaders.derive: one memo entry per function and arguments, shared by reruns, never mixed between pages."""


def test_derive_keeps_same_named_helpers_of_two_page_scripts_apart(dataset):
    """Page scripts run as __main__: two pages' helpers of one name must not share a memo entry."""
    from dashboard import loaders

    ns_a, ns_b = {"__name__": "__main__"}, {"__name__": "__main__"}
    exec(compile("def _labels(ds):\n    return 'a'\n", "page_a.py", "exec"), ns_a)
    exec(compile("def _labels(ds):\n    return 'b'\n", "page_b.py", "exec"), ns_b)
    assert loaders.derive(dataset, ns_a["_labels"]) == "a"
    assert loaders.derive(dataset, ns_b["_labels"]) == "b"
    again = {"__name__": "__main__"}  # the same page re-executed on the next run hits the memo
    exec(compile("def _labels(ds):\n    return 'changed'\n", "page_a.py", "exec"), again)
    assert loaders.derive(dataset, again["_labels"]) == "a"
