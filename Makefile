# The two commands of the README:
#   make verify   the main job: resolve TLC, model-check, save counterexamples,
#                 generate traces with TLC and replay them on the implementation
#   make test     every test: types, unit tests (conformance replay of the committed
#                 traces included), model checking (CI configs), mutants
# Heavier runs are explicit: make check-full (6 users, reduced model), make crosscheck.

NPM   ?= npm
TLC    = $(NPM) run -s tlc --
DEPS   = node_modules/.deps-installed

# The steps depend on each other's files (traces before conformance and map,
# mutants rewriting counterexamples the unit tests read): never in parallel.
.NOTPARALLEL:

.PHONY: verify test typecheck unit check crosscheck mutants traces conformance map reports check-full check-full-status resume-drill check-liveness-full check-candidates tlc clean

# A changed patch (patches/, applied by patch-package on install) needs a reinstall too.
$(DEPS): package.json package-lock.json $(wildcard patches/*.patch)
	$(NPM) ci --no-audit --no-fund
	@touch $@

# Resolve TLC once (TLA2TOOLS_JAR, the user cache, the official release, Maven
# Central) and say which one will run.
tlc: $(DEPS)
	@$(NPM) run -s tlc -- --which

typecheck: $(DEPS)
	npx tsc --noEmit

unit: $(DEPS) tlc
	npx vitest run

# Exhaustive model checking of the CI configurations: the model at 4 users (safety) and
# 3 (liveness), the reduced model at 5 users (every property, liveness in its
# quiescent-state form). The test suite cross-checks the reduced model against the
# model at 3 and 4 users and on every must-fail configuration (test/reduced-model.test.ts;
# make crosscheck prints the same as a report; spec/reduction.md).
# The configurations are those with "ci": true in tla/models.json (the one list of model checks).
check: $(DEPS) tlc
	@configs=$$(node --import ./scripts/register-ts-node.mjs scripts/lib/models.ts --ci) || exit 2; \
	[ -n "$$configs" ] || { echo "tla/models.json: no configuration has \"ci\": true" >&2; exit 2; }; \
	for c in $$configs; do echo "$(TLC) $$c"; $(TLC) $$c || exit $$?; done

# The whole cross-check: 3 and 4 users, and every must-fail configuration on the reduced model.
crosscheck: $(DEPS) tlc
	$(NPM) run -s crosscheck

# Every known-bad variant must be caught by TLC with the property expected for it.
mutants: $(DEPS) tlc
	$(NPM) run -s mutants

# Regenerate the model traces from TLC's state graph and random walks (traces/model/),
# and those of the batched rules (traces/batch/, spec/batching.md).
traces: $(DEPS) tlc
	$(NPM) run -s traces
	$(NPM) run -s traces -- --batch

# Replay every model trace on the implementation with real MLS; report action coverage.
# The batched rules' traces on impl/batch.ts too.
conformance: $(DEPS)
	$(NPM) run -s conformance
	$(NPM) run -s conformance:batch

# Regenerate the auditor's spec-to-code map (docs/correspondence.md); make test fails if it is stale.
map: $(DEPS)
	$(NPM) run -s map

# Every trace as an HTML message sequence chart, with an index (build/reports/index.html).
reports: $(DEPS)
	$(NPM) run -s view -- --all

test: typecheck unit check mutants

verify: check mutants traces conformance map reports
	@$(NPM) run -s summary

# The large configuration: the reduced model (spec/reduction.md) at 6 users, every
# property, exhaustive: 685,649 states with R16, about 20-30 minutes here on a loaded machine.
# It checkpoints into ~/.cache/dca-verified/runs/ every 10
# minutes, and running it again resumes (or, once finished, prints the recorded result;
# FRESH=1 checks again from scratch). USERS=7 checks the reduced model at 7 users
# (tla/MC_reduced_7.cfg, hours). FULL=model checks the model itself at 5 users
# instead (tla/MC_full.cfg: 348,197,846 states, about 7 hours here).
# Java's default heap (a quarter of the RAM) makes TLC spill fingerprints to disk early;
# TLC_JAVA_OPTS set by the caller wins.
FULL_CFG = $(if $(filter model,$(FULL)),tla/MC_full.cfg,$(if $(filter 7,$(USERS)),tla/MC_reduced_7.cfg,tla/MC_reduced_6.cfg))
check-full: export TLC_JAVA_OPTS ?= -XX:MaxRAMPercentage=60
check-full: $(DEPS) tlc
	$(TLC) $(FULL_CFG) --workers auto --resumable $(if $(FRESH),--fresh)

# Where check-full's run stands (running or not, latest figures, BFS level widths);
# runs nothing, so it is safe from a second terminal while check-full runs: no
# install prerequisite either (npm ci would replace node_modules under the run).
check-full-status:
	@test -d node_modules || { echo "make check-full-status: nothing installed here yet (make check-full installs and starts the run)"; exit 2; }
	@$(TLC) $(FULL_CFG) --resumable --status

# Proof that check-full's stop-and-resume loses nothing: MC_ci killed twice and
# resumed must find exactly the states of an uninterrupted run (about 5 minutes).
resume-drill: $(DEPS) tlc
	$(NPM) run -s resume-drill

clean:
	rm -rf build

# Liveness with 4 users: TLC's liveness checking is slow (hours); explicit only.
check-liveness-full: $(DEPS) tlc
	$(TLC) tla/MC_full_liveness.cfg --workers auto

# Blind spot 2's fence (R5, spec/zombie.md), beside DCA.tla: every MC_ci property restated
# for the users still counted (3 users, about a minute). make check runs the refinement onto
# DCA.tla itself (tla/MC_fence_refines.cfg) and its fairness and liveness (MC_fence_liveness).
# Blind spot 1's rule (R15) is part of DCA.tla: make check and make mutants check it.
check-candidates: $(DEPS) tlc
	$(TLC) tla/MC_zombie.cfg
