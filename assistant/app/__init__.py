"""The running app: runtime, live decision loop, control (pause, resume, forget, answer) and status."""
