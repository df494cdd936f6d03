"""`python -m kg`: the same command as `kg`."""

if __name__ == "__main__":
    import gc

    # Nothing kg.cli and Typer import is garbage: no collections while they load, and frozen once loaded (cli.main).
    gc.disable()
    from kg.cli import main

    gc.freeze()
    gc.enable()
    main()
