"""`model_path` over the single- and multi-model AZUREML_MODEL_DIR layouts."""

import pytest

from gateway import model_path


@pytest.fixture
def models(tmp_path, monkeypatch):
    for name, version in [("first", "1"), ("second", "1"), ("second", "2"), ("second", "10")]:
        folder = tmp_path / name / version
        folder.mkdir(parents=True)
        (folder / "model.pkl").write_bytes(b"x")
    (tmp_path / "single.pkl").write_bytes(b"x")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path))
    return tmp_path


def test_root_when_no_name(models):
    assert model_path() == str(models)


def test_named_model_latest_version_numerically(models):
    assert model_path("second") == str(models / "second" / "10")


def test_named_model_given_version(models):
    assert model_path("second", 2) == str(models / "second" / "2")
    assert model_path("first", "1") == str(models / "first" / "1")


def test_single_model_file(models):
    assert model_path("single.pkl") == str(models / "single.pkl")


def test_unknown_model_or_version(models):
    with pytest.raises(LookupError, match="no model 'third'"):
        model_path("third")
    with pytest.raises(LookupError, match=r"no version 3 .* \(versions: 1, 2, 10\)"):
        model_path("second", 3)


def test_without_model_dir(monkeypatch):
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    with pytest.raises(LookupError, match="--model-dir"):
        model_path()
