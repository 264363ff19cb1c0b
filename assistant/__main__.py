from assistant.cli.main import cli

cli(prog_name="proactive")
