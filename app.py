"""Entry point for `flask run` and gunicorn (`gunicorn app:app`)."""

from fieldwork import create_app

app = create_app()
