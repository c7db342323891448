"""A CPU-bound scorer whose cost depends on a value, not on the body's size: it computes for
GlobalParameters.seconds, and says which thread it finished on and how many times it was started."""

import threading
import time

from gateway import Json, Value, contract

STARTS = {"count": 0}


@contract(Inputs=Json(), GlobalParameters={"seconds": Value(float, default=0.0)})
def run(Inputs, GlobalParameters):
    STARTS["count"] += 1
    end = time.perf_counter() + GlobalParameters["seconds"]
    total = 0
    while time.perf_counter() < end:
        total += 1
    return {"Results": Inputs, "thread": threading.current_thread().name, "starts": STARTS["count"]}
