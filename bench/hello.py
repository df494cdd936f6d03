"""The floor of a warm query: a hello-world Typer app that prints its two arguments (`python bench/hello.py A B`)."""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def main(first: str, second: str) -> None:
    """Print the two arguments."""
    typer.echo(f"{first} {second}")


if __name__ == "__main__":
    app()
