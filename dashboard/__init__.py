"""Research dashboard on Chinese surveillance systems in Central Asia, their financing, and US and UK sanctions."""
