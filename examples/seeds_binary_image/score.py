"""The seeds' binary-data scorer (@rawhttp): an image posted as multipart (`files={'image': ...}`) or as
the raw body (`Content-Type: application/octet-stream`) is opened with Pillow; its size is the answer.

    python -m gateway --scorer examples/seeds_binary_image/score.py
    curl -F image=@photo.png http://127.0.0.1:5001/score
"""

import io
import json

from azureml.contrib.services.aml_request import rawhttp
from azureml.contrib.services.aml_response import AMLResponse
from PIL import Image


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
        if "image" in request.files:
            file_bytes = request.files["image"]
        else:
            file_bytes = io.BytesIO(request.get_data(False))
        image = Image.open(file_bytes).convert("RGB")
        # For a real-world solution, load the image into a model and return its prediction.
        return AMLResponse(json.dumps(image.size), 200)
    else:
        return AMLResponse("bad request", 500)
