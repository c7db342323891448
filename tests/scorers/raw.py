def init():
    pass


def run(raw_data):
    return {"received_type": type(raw_data).__name__, "received": raw_data}


def shout(data):
    return data.upper()
