from rammegraf.cli import main

main(prog_name="rammegraf")
