from pathlib import Path

from services.bus.faust_app import build_faust_app
from services.bus.settings import BusSettings


def test_faust_keeps_its_data_under_the_joinedup_home(tmp_path: Path):
    """A Faust app's data directory is under JOINEDUP_HOME, never the working directory."""
    app = build_faust_app(BusSettings(home=tmp_path), "joinedup-datadir-check")

    assert app.conf.datadir == tmp_path / "faust" / "joinedup-datadir-check"
