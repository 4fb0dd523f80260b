"""benchmarks.synth scales every table of the package, the statements and installations included, with valid keys."""

from dashboard.data import DATA_DIR, load
from dashboard.transforms import statements as stx

K = 3


def test_every_table_scales_and_the_result_validates(synthetic):
    real, big = load(DATA_DIR), load(synthetic(K))  # load() validates every key and reference with frictionless
    assert set(big.tables) == set(real.tables) >= {"statements", "installations"}
    for name, df in real.tables.items():
        assert len(big[name]) == K * len(df), name


def test_statement_links_stay_inside_their_replica(synthetic):
    big = load(synthetic(K))
    st = big["statements"]
    replica = st[st["statement_id"].str.endswith("-s2")]
    assert len(replica) == len(st) // K
    for col in ("speaker_entity_id", "about_entity_id", "also_about_entity_id", "about_action_id",
                "responds_to_statement_id", "conflict_id"):
        assert replica[col].dropna().str.endswith("-s2").all(), col
    inst = big["installations"]
    assert inst.loc[inst["installation_id"].str.endswith("-s2"), "vendor_id"].str.endswith("-s2").all()
    # a replica's company has the same footprint and statements as the real one, and no more
    assert len(stx.entity_installations(big, "hikvision-s2")) == len(stx.entity_installations(load(DATA_DIR),
                                                                                               "hikvision"))
    assert len(stx.entity_statements(big, "hikvision-s2")) == len(stx.entity_statements(big, "hikvision"))
