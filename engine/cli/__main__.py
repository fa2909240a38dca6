from tagwarden.engine.cli.app import main

main()
