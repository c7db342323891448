"""A designer-style real-time endpoint: `Inputs.WebServiceInput0` rows in, `Results.WebServiceOutput0` rows
out with a `Scored Labels` column appended (the automobile price sample's shape).

    python -m gateway --scorer examples/designer/score.py
"""

from __future__ import annotations

import pandas as pd

from gateway import Table, contract

SAMPLE = pd.DataFrame(
    {
        "symboling": [3],
        "normalized-losses": [1.0],
        "make": ["alfa-romero"],
        "fuel-type": ["gas"],
        "body-style": ["convertible"],
        "wheel-base": [88.6],
        "length": [168.8],
        "width": [64.1],
        "height": [48.8],
        "curb-weight": [2548],
        "engine-size": [130],
        "horsepower": [111.0],
        "city-mpg": [21],
        "highway-mpg": [27],
    }
)


@contract(Inputs={"WebServiceInput0": Table.from_sample(SAMPLE)})
def run(Inputs):
    """A fixed linear price model standing in for the designer's trained regression."""
    cars = Inputs["WebServiceInput0"]
    price = 160.0 * cars["horsepower"] + 5.5 * cars["curb-weight"] - 120.0 * cars["city-mpg"] - 6000.0
    return {"Results": {"WebServiceOutput0": cars.assign(**{"Scored Labels": price.round(2)})}}
