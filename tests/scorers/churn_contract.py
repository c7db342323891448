"""A scorer with a declared contract, for `check` tests."""

from gateway import Json, List, Results, Value, contract


@contract(
    Inputs={"data": List({"age": int, "city": str})},
    GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])},
    results=Results(List(int)),
)
def run(Inputs, GlobalParameters):
    return {"Results": [0 for _ in Inputs["data"]]}


def init():
    raise RuntimeError("check must never call init()")


untyped = Json()
