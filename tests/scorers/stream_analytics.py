"""A designer-shaped scorer as Azure Stream Analytics calls it: `Inputs.WebServiceInput0` rows (every value a
string, no GlobalParameters) in, `Results.WebServiceOutput0` out, with the dtypes run() received."""

from gateway import Table, contract

TRIPS = Table({"vendorid": "int64", "weekday": "string", "pickuphour": "int8", "passenger": "int64", "distance": "float64"})


@contract(Inputs={"WebServiceInput0": TRIPS})
def run(Inputs):
    trips = Inputs["WebServiceInput0"]
    fare = 2.5 + 1.75 * trips["distance"] + 0.5 * trips["passenger"]
    return {
        "Results": {"WebServiceOutput0": trips.assign(fare=fare.round(2))[["vendorid", "pickuphour", "fare"]]},
        "dtypes": {name: str(dtype) for name, dtype in trips.dtypes.items()},
    }
