"""An import's process-wide settings (GC thresholds, GIL switch interval) come back afterwards."""


def test_overlapping_imports_put_the_process_settings_back_only_when_the_last_one_ends():
    import gc
    import sys

    from rosters.engine import _import_tuning

    before = (gc.get_threshold(), sys.getswitchinterval())
    first, second = _import_tuning(), _import_tuning()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first import ends while the second still runs
    assert gc.get_threshold()[0] == 100_000 and sys.getswitchinterval() == 0.0005
    second.__exit__(None, None, None)
    assert (gc.get_threshold(), sys.getswitchinterval()) == before
