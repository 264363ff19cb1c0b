"""How a judge is stored: the artefact's file name and format version, shared by training (which writes it) and
inference (which reads it) so that the live loop never imports the training code or its scientific stack."""

from __future__ import annotations

ARTIFACT_NAME = "judge.json"
FORMAT_VERSION = 3
