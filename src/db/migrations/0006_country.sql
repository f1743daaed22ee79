-- 0006_country: which country's crisis lines "Get help now" (/help) opens on.
-- An organisation may name its country; the deployment keeps a default in
-- settings, set by `hearth init --default-country`. Neither holds personal
-- data.

-- ISO 3166-1 alpha-2, upper case; NULL = use the deployment's default.
ALTER TABLE organisations ADD COLUMN country TEXT CHECK (country IS NULL OR length(country) = 2);

-- Deployment-wide settings, one row per name ('default_country', ...).
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
