"""A sample's own dtype for converted arrays: representation only, never a changed value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gateway.core.sample_dtype import SampleOverflow, representation, to_sample


def test_which_sample_dtypes_are_followed():
    assert representation(np.dtype("datetime64[ns]"), "datetime") == np.dtype("datetime64[ns]")
    assert representation(np.dtype(object), "string") == np.dtype(object)
    assert representation(np.dtype("int64"), "int") is None  # already the wire dtype's
    assert representation(pd.Int64Dtype(), "int") is None
    assert representation(pd.DatetimeTZDtype("ns", "UTC"), "datetime") is None


def test_datetimes_change_unit_exactly():
    stamps = np.array(["2020-01-01T00:00:00.5", "NaT"], dtype="datetime64[us]")
    assert to_sample(stamps, np.dtype("datetime64[ns]")).dtype == np.dtype("datetime64[ns]")
    with pytest.raises(SampleOverflow) as caught:
        to_sample(stamps, np.dtype("datetime64[s]"))
    assert caught.value.position == 0 and "datetime64[s]" in str(caught.value)
    far = np.array(["2020-01-01", "2500-01-01"], dtype="datetime64[us]")
    with pytest.raises(SampleOverflow) as caught:
        to_sample(far, np.dtype("datetime64[ns]"))  # numpy would wrap this around silently
    assert caught.value.position == 1


def test_zone_aware_columns_keep_their_zone():
    aware = pd.array(pd.to_datetime(["2021-05-06T07:08:09Z"]).as_unit("us"))
    assert str(to_sample(aware, np.dtype("datetime64[ns]")).dtype) == "datetime64[ns, UTC]"


def test_text_as_objects_with_nan_for_missing():
    text = pd.array(["a", None], dtype="string")
    out = to_sample(text, np.dtype(object))
    assert out.dtype == object and out[0] == "a" and out[1] != out[1]
    assert to_sample(np.array(["ab", "c"], dtype=object), np.dtype("<U1")).dtype == np.dtype("<U2")
