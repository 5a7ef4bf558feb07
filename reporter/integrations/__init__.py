"""Integrations: attach a built report to an experiment tracker (MLflow, Weights & Biases).

Each tracker is an optional extra (``pip install 'attention-head-report[mlflow]'``,
``'attention-head-report[wandb]'``) imported only when its ``log_report`` is called.
"""
