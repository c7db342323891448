"""Version 2 of the model: the same, except for customers over 60 (score + 1), and no row may have a
negative income (it now raises)."""

from gateway import Table, contract

ROWS = Table({"age": "int64", "income": "float64"})


@contract(Inputs={"data": ROWS})
def run(Inputs):
    frame = Inputs["data"]
    if (frame["income"] < 0).any():
        raise ValueError("negative income")
    return {"Results": [{"age": int(a), "score": float(i) * 2 + (1 if a > 60 else 0)} for a, i in zip(frame["age"], frame["income"])]}
