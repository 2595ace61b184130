"""The tiny app of the floor's uvicorn cold start: FastAPI with one /health route."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
