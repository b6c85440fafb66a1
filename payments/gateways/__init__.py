"""Payment gateways behind one interface (`base.Gateway`): the sandbox (deterministic by token),
the manual gateway (bank transfers and cheques recorded by staff) and Stripe."""
