from kopa.cli import main

main()
