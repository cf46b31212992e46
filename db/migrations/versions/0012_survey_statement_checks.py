"""survey answers checked per statement; a used question's scale is fixed

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24

A 50,000-row vendor file stores about 400,000 answers. The scale check on survey_answer was a
row trigger: one PL/pgSQL call and one question lookup per answer, about 10 s of a 50,000-row
import. It is now a statement trigger with a transition table: one join of the statement's new
rows with the questions, which refuses the whole statement when any answer is outside its
question's scale. It fires for every way in (the app, COPY, psql), as before.

The summary trigger of survey_response joins the statement's new responses with their answers
by the answers' primary key. At the reference size the planner chose to hash all 1.66 M answers
instead, for each statement: 1.3 s for 5,000 new responses (which have no answers yet), against
5 ms by the index. That function now plans with index joins only. (survey_answer's own trigger
joins 400,000 new answers with the responses, where hashing the responses is the right plan.)

Changing a question's scale once it has answers would leave those answers outside it (or
silently re-mean them), so the database refuses it; labels, top-box rule, direction and the
recovery threshold may still change.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Summary triggers that join a statement's few rows with a large table by its key.
INDEX_JOINED = ("dashboard_follow_survey_response",)


def upgrade() -> None:
    for function in INDEX_JOINED:
        op.execute(
            f"ALTER FUNCTION {function}() SET enable_hashjoin = off SET enable_mergejoin = off"
        )
    op.execute("DROP TRIGGER IF EXISTS survey_answer_in_scale ON survey_answer")
    op.execute("DROP FUNCTION IF EXISTS survey_answer_in_scale()")
    op.execute(
        """
        CREATE FUNCTION survey_answers_in_scale() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE bad record;
        BEGIN
            SELECT a.value, q.scale_min, q.scale_max, q.code INTO bad
            FROM new_rows a JOIN survey_question q ON q.id = a.question_id
            WHERE a.value < q.scale_min OR a.value > q.scale_max
            LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'answer % is outside the scale %..% of question %',
                    bad.value, bad.scale_min, bad.scale_max, bad.code
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    # A trigger with a transition table may name only one event, hence two.
    for event in ("insert", "update"):
        op.execute(
            f"CREATE TRIGGER survey_answer_in_scale_{event} AFTER {event.upper()} "
            "ON survey_answer REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION survey_answers_in_scale()"
        )
    op.execute(
        """
        CREATE FUNCTION survey_question_scale_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.scale_min, NEW.scale_max) IS DISTINCT FROM (OLD.scale_min, OLD.scale_max)
               AND EXISTS (SELECT 1 FROM survey_answer WHERE question_id = OLD.id) THEN
                RAISE EXCEPTION 'question % has answers: its scale %..% cannot change',
                    OLD.code, OLD.scale_min, OLD.scale_max
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER survey_question_scale_fixed BEFORE UPDATE OF scale_min, scale_max "
        "ON survey_question FOR EACH ROW EXECUTE FUNCTION survey_question_scale_fixed()"
    )


def downgrade() -> None:
    for function in INDEX_JOINED:
        op.execute(f"ALTER FUNCTION {function}() RESET ALL")
    op.execute("DROP TRIGGER IF EXISTS survey_question_scale_fixed ON survey_question")
    op.execute("DROP FUNCTION IF EXISTS survey_question_scale_fixed()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS survey_answer_in_scale_{event} ON survey_answer")
    op.execute("DROP FUNCTION IF EXISTS survey_answers_in_scale()")
    op.execute(
        """
        CREATE FUNCTION survey_answer_in_scale() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE q survey_question%ROWTYPE;
        BEGIN
            SELECT * INTO q FROM survey_question WHERE id = NEW.question_id;
            IF NEW.value < q.scale_min OR NEW.value > q.scale_max THEN
                RAISE EXCEPTION 'answer % is outside the scale %..% of question %',
                    NEW.value, q.scale_min, q.scale_max, q.code
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER survey_answer_in_scale BEFORE INSERT OR UPDATE ON survey_answer "
        "FOR EACH ROW EXECUTE FUNCTION survey_answer_in_scale()"
    )
