"""Version 1 of a model, for the capture-and-replay tests: income × 2 per row."""

from gateway import Table, contract

ROWS = Table({"age": "int64", "income": "float64"})


@contract(Inputs={"data": ROWS})
def run(Inputs):
    frame = Inputs["data"]
    return {"Results": [{"age": int(a), "score": float(i) * 2} for a, i in zip(frame["age"], frame["income"])]}
