"""Questionnaire definitions: the immutable model, the type registry, loading and checks.

Pure: imports neither Flask nor SQLModel, so paper, shadow and export code can
share it, and it can be tested without an app.
"""

from fieldwork.questionnaire.model import Choice, Question, Questionnaire, Section
from fieldwork.questionnaire.problems import Problem

__all__ = ["Choice", "Problem", "Question", "Questionnaire", "Section"]
