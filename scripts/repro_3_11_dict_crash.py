"""The crash of issue 12 without medialib: CPython 3.11 frees an object's attribute values while
it is still making a __dict__ over them, when a garbage collection starts inside that store.

    python scripts/repro_3_11_dict_crash.py            # every case, each in a child process
    python scripts/repro_3_11_dict_crash.py --case pure --dict-up-front

Runs with any Python; needs SQLAlchemy only for the `sqlalchemy` case (skipped without it).

The mechanism, in CPython 3.11 (Objects/dictobject.c):
1. An instance keeps its attributes in "inline values" indexed by its class's shared keys. The
   shared keys take new names only while they have room, and every instance made shrinks that
   room by one, so a class with many instances made before their attributes are stored ends with
   full shared keys (SQLAlchemy's InstanceState, after a first query loading many rows:
   ['key', 'identity_token', 'session_id', '_instance_dict', 'load_options', 'load_path',
   'runid', 'expired'] and no room left; `_strong_obj` never gets in).
2. Storing a name not in full shared keys makes a real __dict__ over the inline values
   (make_dict_from_instance_attributes), then detaches the values from the object. The dict's
   allocation can start the cyclic garbage collector (3.11 collects inside allocations when the
   dict free list is empty; 3.12 only at the evaluation loop's safe points, gh-97922).
3. If that collection runs a weakref callback that stores a new name on the same object (an
   InstanceState's `_cleanup`, run when its mapped object is cyclic garbage, stores
   `session_id` and `_strong_obj`), the callback makes a second dict over the same values and
   its store converts that dict to a combined table, freeing the values. The outer store then
   finishes its dict over the freed values: debug builds stop at
   `get_index_from_order: Assertion 'i < ((char*)mp->ma_values)[-2]'`, release builds read freed
   memory and die later (SIGSEGV), often in an unrelated frame or in "Garbage-collecting".
Giving the object its __dict__ before any weakref to it exists (--dict-up-front, what
medialib/db.py does for every InstanceState on Python < 3.12) means no store ever goes through
the inline values.
"""

from __future__ import annotations

import argparse
import gc
import signal
import subprocess
import sys
import weakref

ROUNDS = 50


def pure(dict_up_front: bool) -> None:
    """Plain classes: full shared keys, a weakref callback storing on the object being stored on,
    and a collection started by the allocation of that object's new __dict__."""

    class Holder:
        pass

    class Node:
        pass

    filler = Holder()
    for i in range(30):  # fills Holder's shared keys (30 names at most on 3.11)
        setattr(filler, f"name{i}", i)

    lost_before = False
    for round_ in range(1, ROUNDS + 1):
        victim = Holder()
        if dict_up_front:
            victim.__dict__  # noqa: B018 (makes the dict now, before any weakref exists)
        events: list[str] = []

        def callback(_ref: object, victim: Holder = victim, events: list[str] = events) -> None:
            events.append("callback")
            victim.stored_by_callback = None  # a name not in the shared keys

        gc.disable()
        garbage = Node()
        garbage.me = garbage  # a cycle: only the collector frees it
        victim.name0 = weakref.ref(garbage, callback)  # name0 is a shared key: inline
        del garbage
        keep = [{} for _ in range(200)]  # noqa: F841 (empties the dict free list)
        gc.set_threshold(1)  # the next tracked allocation starts a collection
        gc.enable()
        events.append("store")
        victim.stored_outside = None  # not a shared key: a __dict__ is made here
        events.append("stored")
        gc.set_threshold(700, 10, 10)
        gc.collect()
        lost = "callback" in events and "stored_by_callback" not in victim.__dict__
        if lost and not lost_before:
            lost_before = True
            print(f"round {round_}: the callback's store is lost (two dicts were made over "
                  "one values array)", flush=True)
        if round_ == 1:
            print(f"order: {' -> '.join(events)}; the object's names afterwards: "
                  f"{sorted(victim.__dict__)}", flush=True)
        del victim, keep, callback
        gc.collect()
    print(f"{ROUNDS} rounds survived", flush=True)


def sqlalchemy_case(dict_up_front: bool, medialib: bool) -> None:
    """SQLAlchemy and SQLite only: the first query loads many rows (InstanceState's shared keys
    fill up without `_strong_obj`), the loaded objects refer to each other (cycles) and are
    dropped, and a collection comes while Session.close() stores `_strong_obj` on each state."""
    from sqlalchemy import Column, ForeignKey, Integer, create_engine, insert, select
    from sqlalchemy.orm import DeclarativeBase, Session, relationship, selectinload
    from sqlalchemy.orm.state import InstanceState

    if medialib:
        import medialib.db  # noqa: F401 (its workaround, applied at import)
    elif dict_up_front:
        init = InstanceState.__init__

        def __init__(self, obj, manager):  # type: ignore[no-untyped-def]
            self.__dict__  # noqa: B018
            init(self, obj, manager)

        InstanceState.__init__ = __init__  # type: ignore[method-assign]

    class Base(DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"
        id = Column(Integer, primary_key=True)
        children = relationship("Child", back_populates="parent")

    class Child(Base):
        __tablename__ = "child"
        id = Column(Integer, primary_key=True)
        parent_id = Column(Integer, ForeignKey("parent.id"))
        parent = relationship(Parent, back_populates="children")

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:  # Core inserts: no ORM object exists before the first query
        conn.execute(insert(Parent), [{"id": i} for i in range(20)])
        conn.execute(insert(Child), [{"id": i, "parent_id": i % 20} for i in range(400)])
    query = select(Parent).options(selectinload(Parent.children).selectinload(Child.parent))
    for _ in range(ROUNDS):
        gc.disable()  # the loaded objects stay in the youngest generation
        with Session(engine) as session:
            parents = session.scalars(query).all()
            gc.set_threshold(gc.get_count()[0] + 50)  # a collection ~50 dicts into close()
            gc.enable()
            del parents  # parents and children refer to each other only: cyclic garbage
    gc.set_threshold(700, 10, 10)
    print(f"{ROUNDS} sessions survived", flush=True)


def outcome(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return "exit 0" if code == 0 else f"exit {code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("pure", "sqlalchemy", "all"), default="all",
                        help="which reproduction (all: each in a child process, both ways)")
    parser.add_argument("--dict-up-front", action="store_true",
                        help="give the objects their __dict__ when made (the workaround)")
    parser.add_argument("--medialib", action="store_true",
                        help="sqlalchemy case: import medialib.db (its own workaround)")
    args = parser.parse_args()
    if args.case == "pure":
        pure(args.dict_up_front)
    elif args.case == "sqlalchemy":
        sqlalchemy_case(args.dict_up_front, args.medialib)
    else:
        print(f"Python {sys.version.split()[0]} ({sys.executable})", flush=True)
        for case in ("pure", "sqlalchemy"):
            if case == "sqlalchemy":
                try:
                    import sqlalchemy  # noqa: F401
                except ImportError:
                    print("sqlalchemy: skipped (not installed)")
                    continue
            for up_front in (False, True):
                extra = ["--dict-up-front"] if up_front else []
                child = subprocess.run([sys.executable, __file__, "--case", case, *extra],
                                       capture_output=True, text=True, timeout=600)
                said = " / ".join(line for line in child.stdout.splitlines() if line)
                stderr = [line for line in child.stderr.splitlines() if "Assertion" in line]
                print(f"{case}, {'dict up front' if up_front else 'as is'}: "
                      f"{outcome(child.returncode)}; {said}{' / ' + stderr[0] if stderr else ''}")


if __name__ == "__main__":
    main()
