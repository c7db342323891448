"""TARGET forms of README 'Serving your own scorer'."""

import pytest

from gateway.errors import StartupError
from gateway.scoring.loader import load
from gateway.settings import ScorerTarget, parse_scorer_option


@pytest.mark.parametrize(
    "option, name, location, is_file",
    [
        ("score.py", "default", ("score.py", "run"), True),
        ("path/to/score.py:predict", "default", ("path/to/score.py", "predict"), True),
        ("pkg.module:function", "default", ("pkg.module", "function"), False),
        ("churn=pkg.module:function", "churn", ("pkg.module", "function"), False),
        ("churn=models/churn.py", "churn", ("models/churn.py", "run"), True),
    ],
)
def test_target_forms(option, name, location, is_file):
    target = parse_scorer_option(option)
    assert target.name == name
    assert target.location == location
    assert target.is_file is is_file


@pytest.mark.parametrize("option", ["bad name=score.py", "x="])
def test_bad_scorer_options(option):
    with pytest.raises(ValueError):
        parse_scorer_option(option)


def test_load_finds_run_and_init():
    loaded = load(ScorerTarget("default", "tests/scorers/echo.py"))
    assert loaded.run.__name__ == "run"
    assert loaded.init is not None and loaded.init.__name__ == "init"


def test_load_module_target():
    loaded = load(ScorerTarget("upper", "scorers.raw:shout"))  # tests/ is on sys.path under pytest
    assert loaded.run("a") == "A"


def test_load_failures_are_startup_errors():
    with pytest.raises(StartupError, match="could not be imported: ModuleNotFoundError"):
        load(ScorerTarget("x", "no_such_package.module:run"))
