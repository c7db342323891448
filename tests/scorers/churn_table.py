"""The churn scorer the documents tests describe: a records table of every common dtype, and a method."""

from gateway import Column, Table, Value, contract

CHURN = Table(
    {
        "age": "int64",
        "income": "float64",
        "is_member": "bool",
        "city": Column("string", nullable=True),
        "signup_date": "datetime",
    }
)


@contract(Inputs={"data": CHURN}, GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])})
def churn(Inputs, GlobalParameters):
    return {"Results": [0] * len(Inputs["data"])}
