-- Learning from the team: a person's word on relevance in the decision log (feedback, given on
-- any tender), the team models trained on those words, and the evaluations people ran.
ALTER TABLE decisions ADD COLUMN relevant BOOLEAN;  -- feedback: the person's word on relevance

CREATE SEQUENCE team_model_id_seq START 1;
CREATE TABLE team_models (
    id               BIGINT PRIMARY KEY,
    trained_at       TIMESTAMPTZ NOT NULL,
    trained_by       VARCHAR NOT NULL,
    labels           INTEGER NOT NULL,
    relevant_labels  INTEGER NOT NULL,
    base_f1          DOUBLE NOT NULL,   -- cross-validated on the team's labels
    learned_f1       DOUBLE NOT NULL,
    in_use           BOOLEAN NOT NULL,  -- only while it beats the base analyst
    profile_version  INTEGER,
    weights          JSON NOT NULL      -- core.quality.learn.TeamModel
);

CREATE SEQUENCE evaluation_id_seq START 1;
CREATE TABLE evaluations (
    id          BIGINT PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  VARCHAR NOT NULL,
    files       VARCHAR NOT NULL,
    hide_cpv    BOOLEAN NOT NULL,
    analyst     VARCHAR NOT NULL,
    result      JSON NOT NULL           -- core.quality.evaluate.Evaluation
);
