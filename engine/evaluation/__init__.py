"""Pure policy evaluation: resources and a policy in, results out."""

from tagwarden.engine.evaluation.evaluate import Evaluator, evaluate, rule_infos

__all__ = ["Evaluator", "evaluate", "rule_infos"]
