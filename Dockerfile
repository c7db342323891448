# The gateway serving the AutoML Power BI example. For your own scorer, replace the example lines:
#   COPY score.py /app/scorer/score.py   and   COPY model/ /models/
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN pip install ".[examples]"

COPY examples/automl_powerbi ./scorer
RUN python scorer/train.py /models

RUN useradd --system --uid 10001 --no-create-home --home-dir /app gateway
USER 10001

ENV GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=5001 \
    AZUREML_ENTRY_SCRIPT=/app/scorer/score.py \
    AZUREML_MODEL_DIR=/models \
    GATEWAY_LOG_FORMAT=json

EXPOSE 5001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:5001/healthz', timeout=2).status != 200)"]

STOPSIGNAL SIGTERM
CMD ["python", "-m", "gateway", "--host", "0.0.0.0", "--port", "5001"]
