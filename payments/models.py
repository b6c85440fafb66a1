# Payment methods, gateways, payments, refunds and dunning arrive with the payments issue.
