from integrations.models.webhooks import *  # noqa: F403
