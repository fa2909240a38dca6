"""The AWS collector: every enabled region of every account the credentials reach, read service by service.

Importing this package imports boto3; ``tagwarden.engine.collectors`` itself never does.
"""

from tagwarden.engine.collectors.aws.collector import AwsCollector

__all__ = ["AwsCollector"]
