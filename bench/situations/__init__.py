"""The situation library and its bench: scripted everyday desktop situations with ground truth.

    bench.situations.library     SITUATIONS, by_name, families, NEED_FAMILIES, NO_NEED_FAMILIES
    bench.situations.script      Situation, Need, Step, Script (how a situation is written)
    bench.situations.recordings  load / load_all: the stored events of a situation, on a fixed clock
    python -m bench.situations.record [NAMES|--all|--stale] [--jobs N]   play and record on Xvfb
    python -m bench.situations [--heldout] [--out PATH]                 the bench (see docs/situations.md)
"""
