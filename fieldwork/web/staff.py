"""Staff sign-in, sign-out and the overview of responses."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from fieldwork import db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.attempts import service as attempts
from fieldwork.responses import days
from fieldwork.web import staff_filters
from fieldwork.web.errors import ClientError
from fieldwork.web.preferences import safe_next
from fieldwork.web.redirects import here, see_other
from fieldwork.web.throttling import address_key

bp = Blueprint("staff", __name__, url_prefix="/staff")

F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(validators=[InputRequired(), Length(max=64)])
    password = PasswordField(validators=[InputRequired(), Length(max=1024)])


def current_user() -> StaffUser | None:
    if "staff_user" not in g:
        g.staff_user = accounts.user_for(db.session(), session.get("staff_token"))
    user: StaffUser | None = g.staff_user
    return user


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return see_other(url_for("staff.login", next=here()))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """Signed in with one of these roles, else a 403 page."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return see_other(url_for("staff.login", next=here()))
            if user.role not in roles:
                raise ClientError(403, _("Your role does not give access to this page."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    status = 422 if request.method == "POST" else 200
    headers = {}
    if form.validate_on_submit():
        username = form.username.data
        try:
            user = accounts.sign_in(
                db.session(),
                username,
                form.password.data,
                address_key(),
                known=username in _known_accounts(),
            )
        except attempts.TooManyAttempts as refused:
            status = 429
            error = _wait_message(refused)
            headers["Retry-After"] = str(refused.seconds)
        else:
            if user is not None:
                _renew_form_token()
                session.pop("staff_token", None)
                session["staff_token"] = accounts.open_session(
                    db.session(), user, current_app.config["STAFF_SESSION_HOURS"]
                )
                signed_in = see_other(safe_next(request.args.get("next") or url_for(".overview")))
                return _remember_device(signed_in, user.username)
            error = _("The username or password is not right")
    elif request.method == "POST":
        error = _("Enter your username and password")
    page = render_template("staff/login.html", form=form, error=error, back=url_for("survey.home"))
    return page, status, headers


def _wait_message(refused: attempts.TooManyAttempts) -> str:
    """The wait in seconds while it is short (the slowing of unknown devices), in minutes
    when it is long (a pair of account and network that guessed too often)."""
    if refused.seconds < 120:
        seconds: str = ngettext(
            "There have been too many wrong sign-ins. Wait %(num)d second, then try again.",
            "There have been too many wrong sign-ins. Wait %(num)d seconds, then try again.",
            refused.seconds,
        )
        return seconds
    minutes: str = _(
        "There have been too many wrong sign-ins. Wait %(minutes)s minutes, then try again.",
        minutes=refused.minutes,
    )
    return minutes


# A device that has signed in to an account is trusted by sign-in's wide limits for a
# year after its last sign-in (`accounts.sign_in`'s `known`). The cookie names the
# accounts, most recent first, signed with SECRET_KEY; it holds nothing else, so a copy
# is worth only what a sign-in on that device already was: passing the wide limits,
# never the password, and never the pair limit of its network.
KNOWN_COOKIE = "fieldwork_known"
KNOWN_FOR = dt.timedelta(days=365)
KNOWN_MOST = 10  # a shared office computer: its regular users, not every passer-by


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt="fieldwork.known-device",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _known_accounts() -> list[str]:
    """The accounts this device has signed in to, from its cookie if the signature holds."""
    cookie = request.cookies.get(KNOWN_COOKIE)
    if not cookie:
        return []
    try:
        names = _device_signer().loads(cookie, max_age=int(KNOWN_FOR.total_seconds()))
    except BadData:
        return []
    if not isinstance(names, list):
        return []
    return [name for name in names if isinstance(name, str)]


def _remember_device(response: Response, username: str) -> Response:
    known = [username, *(name for name in _known_accounts() if name != username)]
    response.set_cookie(
        KNOWN_COOKIE,
        _device_signer().dumps(known[:KNOWN_MOST]),
        max_age=KNOWN_FOR,
        path=url_for(".login"),
        secure=request.is_secure or bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )
    return response


def _renew_form_token() -> None:
    """A new CSRF token at sign-in and sign-out: one read or planted before (a shared
    computer, a copied cookie) must not be good for forms of the signed-in session."""
    session.pop("csrf_token", None)


@bp.post("/logout")
def logout() -> Any:
    accounts.close_session(db.session(), session.pop("staff_token", None))
    _renew_form_token()
    return see_other(url_for("staff.login"))


@bp.get("/")
@login_required
def overview() -> str:
    # Days in the zone the queue shows times in, so a day's count here is what the
    # queue lists for that day.
    rows = days.by_day(db.session(), staff_filters.zone())
    total = sum(row.count for row in rows)
    return render_template("staff/overview.html", rows=rows, total=total, user=current_user())
