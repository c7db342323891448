"""The seeds' CORS scorer (@rawhttp): the script sets Access-Control-Allow-Origin itself, and answers the
browser's OPTIONS preflight (the gateway routes OPTIONS to @rawhttp scripts when --cors-origins is unset).

    python -m gateway --scorer examples/seeds_cors/score.py
"""

from azureml.contrib.services.aml_request import rawhttp
from azureml.contrib.services.aml_response import AMLResponse


def init():
    print("This is init()")


@rawhttp
def run(request):
    print("This is run()")
    if request.method == "GET":
        # For this example, just return the URL for GETs.
        respBody = str.encode(request.full_path)
        return AMLResponse(respBody, 200)
    elif request.method == "POST":
        reqBody = request.get_data(False)
        # For demonstration purposes, this example adds a header and returns the request body.
        resp = AMLResponse(reqBody, 200)
        resp.headers["Access-Control-Allow-Origin"] = "http://www.example.com"
        return resp
    elif request.method == "OPTIONS":
        resp = AMLResponse("", 200)
        resp.headers["Access-Control-Allow-Origin"] = "http://www.example.com"
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return resp
    else:
        return AMLResponse("bad request", 500)
