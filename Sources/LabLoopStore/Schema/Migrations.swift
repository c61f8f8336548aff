import GRDB

/// Named migrations. A migration never changes once shipped: add a new one instead.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial-schema") { db in
            try db.execute(sql: """
                CREATE TABLE campaigns (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    project TEXT NOT NULL,
                    spec BLOB NOT NULL,               -- labloop.v1.CampaignSpec
                    state TEXT NOT NULL,
                    state_reason TEXT NOT NULL DEFAULT '',
                    submitted_at INTEGER NOT NULL,    -- unix ms
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE proposals (
                    id TEXT PRIMARY KEY NOT NULL,
                    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
                    request_id TEXT NOT NULL,
                    message_id TEXT NOT NULL UNIQUE,
                    model_id TEXT NOT NULL,
                    model_version TEXT NOT NULL,
                    training_observations INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                );
                CREATE TABLE rejected_candidates (
                    id INTEGER PRIMARY KEY,
                    proposal_id TEXT NOT NULL REFERENCES proposals(id),
                    candidate_id TEXT NOT NULL,
                    code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    parameters TEXT NOT NULL          -- labloop.v1.NamedValues as protobuf JSON
                );
                CREATE TABLE experiments (
                    id TEXT PRIMARY KEY NOT NULL,
                    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
                    proposal_id TEXT NOT NULL REFERENCES proposals(id),
                    candidate_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    retry_of TEXT REFERENCES experiments(id),
                    parameters TEXT NOT NULL,         -- labloop.v1.NamedValues as protobuf JSON
                    predicted_mean REAL,
                    predicted_std REAL,
                    state TEXT NOT NULL,
                    instrument_id TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX experiments_by_campaign ON experiments(campaign_id, state);
                CREATE TABLE experiment_transitions (
                    id INTEGER PRIMARY KEY,
                    experiment_id TEXT NOT NULL REFERENCES experiments(id),
                    from_state TEXT,                  -- NULL for the first state
                    to_state TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    instrument_id TEXT,
                    reason TEXT NOT NULL DEFAULT '',
                    seq INTEGER NOT NULL REFERENCES events(seq)
                );
                CREATE INDEX transitions_by_experiment ON experiment_transitions(experiment_id, id);
                CREATE TABLE results (
                    id INTEGER PRIMARY KEY,
                    message_id TEXT NOT NULL UNIQUE,  -- the agent's envelope message_id: the dedup key
                    experiment_id TEXT NOT NULL UNIQUE REFERENCES experiments(id),
                    instrument_id TEXT NOT NULL,
                    outcome TEXT NOT NULL,            -- succeeded | failed
                    measurements TEXT NOT NULL,       -- labloop.v1.NamedValues as protobuf JSON
                    objective REAL,
                    failure_kind TEXT,
                    failure_message TEXT,
                    started_at INTEGER,
                    finished_at INTEGER,
                    recorded_at INTEGER NOT NULL,
                    payload BLOB NOT NULL             -- the ExperimentResult as received, to tell duplicates from conflicts
                );
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,          -- gap-free from 1, assigned in commit order
                    at INTEGER NOT NULL,
                    campaign_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    payload BLOB NOT NULL             -- labloop.v1.Event, seq included
                );
                CREATE INDEX events_by_campaign ON events(campaign_id, seq);
                CREATE TABLE instruments (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    hello BLOB NOT NULL,              -- the latest labloop.v1.AgentHello
                    capacity INTEGER NOT NULL,
                    first_seen INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    principal TEXT NOT NULL,
                    action TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    outcome TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-access-keys") { db in
            try db.execute(sql: """
                CREATE TABLE access_keys (
                    public_key TEXT PRIMARY KEY NOT NULL,  -- CURVE public key, Z85
                    principal TEXT NOT NULL,
                    role TEXT NOT NULL,                    -- agent | model | operator | observer
                    scope TEXT NOT NULL DEFAULT '',        -- campaign:ID,project:NAME,…; '' = unlimited
                    expires_at INTEGER,                    -- unix ms; NULL = never
                    revoked_at INTEGER,                    -- unix ms; NULL = allowed
                    added_at INTEGER NOT NULL
                );
                CREATE INDEX access_keys_by_principal ON access_keys(principal);
                ALTER TABLE audit ADD COLUMN role TEXT NOT NULL DEFAULT '';
                """)
        }
        return migrator
    }
}
