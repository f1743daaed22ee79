-- 0005_audit_pending: audit entries that must not be written at the moment
-- of the act they record, because that moment (and the entry's place in the
-- chain, between the same person's own entries) would tell who acted. An
-- anonymous online listening answer only adds one to the count of its round
-- and day here; a separate step (audit_flush(): at start-up, every few
-- minutes, and before the audit log is read) turns each finished day's count
-- into one audit entry with no actor: "round R: N anonymous answers on day D".
--
-- No column holds personal data, on purpose: there is no actor, no request
-- id and no time finer than the UTC day.
CREATE TABLE audit_pending (
  action TEXT NOT NULL,         -- the audit action the entry will carry
  resource TEXT NOT NULL,       -- e.g. 'listening_round:12' (never a person)
  day INTEGER NOT NULL,         -- UTC midnight of the day counted (epoch seconds)
  count INTEGER NOT NULL,       -- how many acts that day
  PRIMARY KEY (action, resource, day)
);
