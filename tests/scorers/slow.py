"""A scorer whose run() takes GlobalParameters.sleep seconds and tells which process answered."""

import os
import time

from gateway import Json, Value, contract


@contract(Inputs=Json(), GlobalParameters={"sleep": Value(float, default=0.0)})
def run(Inputs, GlobalParameters):
    time.sleep(GlobalParameters["sleep"])
    return {"Results": Inputs, "pid": os.getpid()}
