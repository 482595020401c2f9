# abload — `make demo` runs a short real benchmark; `make test` runs every test.
# Prerequisites: Go, JDK 17, Maven (see docs/getting-started.md).

GO      ?= go
LANES   ?= 4
MVN     ?= mvn -B -q
BUILD   := build
# The Flink line of the runtime bundle to build (make runtime FLINK=1.20): 2.2, the default,
# in build/runtime; any other in build/runtime-<line>, built by Maven's flink-<line> profile
# into jobs/*/target-flink-<line> (jobs/pom.xml pins each line's versions).
FLINK_LINES   := 1.20 2.2 2.3
DEFAULT_FLINK := 2.2
# Only from the command line (make runtime FLINK=1.20): a variable FLINK in the environment
# is someone else's.
ifneq ($(origin FLINK),command line)
FLINK := $(DEFAULT_FLINK)
endif
ifeq ($(filter $(FLINK),$(FLINK_LINES)),)
$(error FLINK=$(FLINK): abload builds Flink $(FLINK_LINES))
endif
ifeq ($(FLINK),$(DEFAULT_FLINK))
RUNTIME := $(BUILD)/runtime
JTARGET := target
MVN_LINE :=
else
RUNTIME := $(BUILD)/runtime-$(FLINK)
JTARGET := target-flink-$(FLINK)
MVN_LINE := -P flink-$(FLINK)
endif
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO_SRC  := $(shell find . -name '*.go' -not -path './build/*' -not -path './jobs/*') go.mod go.sum
JAVA_SRC := $(shell find jobs -name pom.xml -not -path '*/target*/*' -not -path 'jobs/examples/*' -not -path 'jobs/bench-tools/*') $(shell find jobs/ab-job/src/main -type f 2>/dev/null) \
            $(shell find jobs/runtime -path '*/src/*' -type f 2>/dev/null) \
            $(shell find jobs/sql-runner/src/main -type f 2>/dev/null) $(wildcard jobs/sql/*.sql)

.PHONY: all build runtime cds images test test-short test-java test-go demo bench bench-producer bench-startup bench-cost bench-docker bench-capacity bench-compare bench-soak clean

all: build

## build: the abload binary, the runtime bundle (Flink, Kafka, job jar) and its
## class-data sharing archives (best effort here: without them the JVMs start slower;
## `make cds` alone fails loudly)
build: $(BUILD)/abload runtime
	@$(MAKE) --no-print-directory cds || echo "abload: warning: no class-data sharing archives (make cds says why); the local environment starts without them"

$(BUILD)/abload: $(GO_SRC)
	@mkdir -p $(BUILD)
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $@ ./cmd/abload

## runtime: resolve Flink and Kafka from Maven Central, build the job jar, and list the
## configuration keys that Flink knows (flink-keys.txt) and their defaults (flink-defaults.txt).
## Cached: it reruns only when a pom or the job's sources change, and Maven's
## local repository keeps every jar, so a second run downloads nothing.
runtime: $(RUNTIME)/.stamp

$(RUNTIME)/.stamp: $(JAVA_SRC)
	@echo "abload: building the runtime bundle (first time: downloads Flink and Kafka from Maven Central)"
	cd jobs && $(MVN) $(MVN_LINE) -DskipTests package
	rm -rf $(RUNTIME) && mkdir -p $(RUNTIME)/flink $(RUNTIME)/kafka $(RUNTIME)/jobs
	cp -r jobs/runtime/flink/$(JTARGET)/lib $(RUNTIME)/flink/lib
	cp -r jobs/runtime/kafka/$(JTARGET)/lib $(RUNTIME)/kafka/lib
	cp jobs/ab-job/$(JTARGET)/ab-job.jar $(RUNTIME)/jobs/ab-job.jar
	cp jobs/sql-runner/$(JTARGET)/sql-runner.jar $(RUNTIME)/jobs/sql-runner.jar
	cp jobs/sql/ab-job.sql $(RUNTIME)/jobs/ab-job.sql
	cp jobs/runtime/flink/$(JTARGET)/classes/versions.properties $(RUNTIME)/versions.properties
	@# Every configuration key this Flink knows (its ConfigOption classes): abload checks the keys
	@# it writes against them before anything starts (harness/env/cluster, Keys).
	java -XX:TieredStopAtLevel=1 -cp "jobs/runtime/flink/$(JTARGET)/classes:$(RUNTIME)/flink/lib/*" \
	  dev.abload.runtime.ConfigKeys $(RUNTIME)/flink/lib $(RUNTIME)/flink-keys.txt $(RUNTIME)/flink-defaults.txt
	touch $@

## cds: class-data sharing archives for the local environment's JVMs (Kafka, JobManager,
## TaskManager): each JVM of a short real run on the bundle writes the classes it loaded,
## parsed and verified, into $(RUNTIME)/cds/<kind>.jsa when it exits (ABLOAD_CDS=dump=DIR);
## later JVMs map them instead of loading those classes again (make bench-startup measures it).
## Rebuilt with the bundle (a JVM ignores an archive whose jars changed). The run may come out
## invalid (exit 4) on a busy machine: its JVMs have loaded the classes all the same.
cds: $(RUNTIME)/cds/.stamp

$(RUNTIME)/cds/.stamp: $(RUNTIME)/.stamp | $(BUILD)/abload
	@echo "abload: building the class-data sharing archives (a short run on the bundle)"
	@rm -rf $(RUNTIME)/cds $(BUILD)/cds-dump $(BUILD)/cds-run && mkdir -p $(BUILD)/cds-dump
	@# An environment an interrupted earlier build left up goes down first.
	@if [ -e $(BUILD)/cds-env/env.json ]; then $(BUILD)/abload env down --dir $(BUILD)/cds-env >/dev/null 2>&1 || true; fi
	@# One shell: whatever fails or is interrupted, the environment goes down.
	@set -e; down() { $(BUILD)/abload env down --dir $(BUILD)/cds-env >/dev/null 2>&1 || true; }; \
	  trap down EXIT; trap 'down; exit 130' INT TERM; \
	  ABLOAD_CDS=dump=$(CURDIR)/$(BUILD)/cds-dump $(BUILD)/abload env up --dir $(BUILD)/cds-env --runtime $(RUNTIME) --set env.flink_version=$(FLINK) >/dev/null; \
	  $(BUILD)/abload run scenarios/quick.yaml --env-file $(BUILD)/cds-env --runtime $(RUNTIME) --out $(BUILD)/cds-run --set env.flink_version=$(FLINK) \
	    --set workload.warmup=1s --set workload.duration=3s --set workload.cooldown=0s >/dev/null 2>&1 \
	    || [ $$? -eq 4 ] \
	    || { echo "abload: the run that builds the archives failed: see $(BUILD)/cds-run/logs"; exit 1; }; \
	  $(BUILD)/abload env down --dir $(BUILD)/cds-env >/dev/null
	@# Each archive must map (-Xshare:on fails on a partial or mismatched one).
	@for k in kafka:kafka jobmanager:flink taskmanager:flink; do \
	  f=$(BUILD)/cds-dump/$${k%%:*}.jsa; lib=$(CURDIR)/$(RUNTIME)/$${k##*:}/lib; \
	  java -XX:SharedArchiveFile=$$f -Xshare:on -cp "$$lib/*" -version >/dev/null 2>&1 \
	    || { echo "abload: $$f does not map (partial or mismatched): make cds again"; exit 1; }; \
	done
	@mv $(BUILD)/cds-dump $(RUNTIME)/cds && rm -rf $(BUILD)/cds-env $(BUILD)/cds-run && touch $@

## runtimes: the runtime bundle of every Flink line abload runs ($(FLINK_LINES)), one
## after the other (make runtime FLINK=<line> builds one)
.PHONY: runtimes other-runtimes
runtimes: runtime other-runtimes

# The lines other than the default, after the example job: one Maven build at a time (two
# would download into one local repository at once on a fresh machine).
other-runtimes: | jobs/examples/passthrough/target/passthrough.jar
	@for l in $(filter-out $(DEFAULT_FLINK),$(FLINK_LINES)); do $(MAKE) --no-print-directory runtime FLINK=$$l || exit 1; done

## examples: the example "foreign" job, built on its own (jobs/examples/README.md):
## jobs/examples/passthrough/target/passthrough.jar
.PHONY: examples
examples: jobs/examples/passthrough/target/passthrough.jar

# After the runtime bundle (order only): two Maven builds at once would download into one local
# repository on a fresh machine.
jobs/examples/passthrough/target/passthrough.jar: jobs/examples/passthrough/pom.xml $(shell find jobs/examples/passthrough/src -type f 2>/dev/null) | $(RUNTIME)/.stamp
	cd jobs/examples/passthrough && $(MVN) -DskipTests package

## images: local Docker images (Debian base + JRE + the runtime bundle's jars) for --env docker
## (abload/debian:bookworm, abload/jre:17, abload/flink:<v>, abload/kafka:<v>); built
## with debootstrap and the classic builder, nothing is pulled; up-to-date steps are skipped.
images: runtime
	testcontainers/images/build.sh $(RUNTIME)

## test: Java unit + MiniCluster tests, Go unit tests, and the end-to-end tests
## against a real local Kafka + Flink and real Docker containers (needs a running
## dockerd and `make images`; .ci/run provides both).
# The Go tests (internal/testlock/lanes.sh): those whose claims need the machine to themselves
# one after another, then the rest in four lanes at once, each with its own clusters (LANES=1:
# one after the other; docs/building.md, Tests); `make test` runs the jobs' Maven tests in lane
# d (ABLOAD_TEST_JAVA). GOTESTFLAGS=-v: per-test output. Before them, at once (make -j): the
# build, the example job, vet and the Go tests' compile.
# The jobs' Maven tests: make test runs the default line's (the other lines' test sources are
# compiled by their bundle's build, and TestJobKnobsReachFlink120 and TestJobKnobsReachFlink23
# run the 1.20 and 2.3 jobs end to end; their Maven tests, another minute of CPU beside the lanes, would take the suite past
# 15 minutes); make test-java runs every line's.
JAVA_TESTS := cd jobs && $(MVN) -pl ab-job,sql-runner verify
JAVA_TESTS_ALL := $(JAVA_TESTS) $(foreach l,$(filter-out $(DEFAULT_FLINK),$(FLINK_LINES)),&& $(MVN) -P flink-$(l) -pl ab-job,sql-runner test)
LANES_SH    = ABLOAD_BIN=$(CURDIR)/$(BUILD)/abload ABLOAD_TEST_LANES=$(LANES) ABLOAD_TEST_PREBUILT=1 GO=$(GO) internal/testlock/lanes.sh $(GOTESTFLAGS)

test: export ABLOAD_TEST_JAVA = $(JAVA_TESTS)
test:
	@$(MAKE) --no-print-directory -j3 build examples go-prep other-runtimes
	$(LANES_SH)

test-java:
	flock -s "$${ABLOAD_TEST_LOCK:-$${TMPDIR:-/tmp}/abload-e2e.lock}" sh -c '$(JAVA_TESTS_ALL)'

test-go:
	@$(MAKE) --no-print-directory -j3 build examples go-prep other-runtimes
	ABLOAD_TEST_JAVA= $(LANES_SH)

# go-prep: vet, and every test package compiled (lanes.sh's lanes then only link).
.PHONY: go-prep
go-prep:
	$(GO) vet ./...
	$(GO) test -count=1 -run '^$$' -exec true $(GOTESTFLAGS) ./... >/dev/null

## test-short: Go unit tests only (no cluster, no Maven)
test-short:
	$(GO) test -short ./...

## demo: a short real benchmark; writes results/demo/{result.json,latency.hlog,report.md,logs/}
## (make demo FLINK=1.20: on the Flink 1.20 line, its bundle built first)
demo: build
	$(BUILD)/abload run scenarios/quick.yaml --out results/demo --force --set env.flink_version=$(FLINK)

## bench: Go micro-benchmarks of the hot paths (generator, encoding, schedules) only:
## the benchmarks that need a broker, a cluster or Docker skip under -short and have
## targets of their own (bench-producer, bench-capacity, bench-docker, bench-soak)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 -short ./...

## bench-producer: the harness producer vs Kafka's kafka-producer-perf-test (kafka-tools 4.2,
## warmed) on the same local broker, 3M records each with batch size and linger matched,
## at Kafka's and franz-go's default batch sizes (median ratios of interleaved pairs),
## and pacing accuracy at 50k/s
bench-producer: build
	cd jobs/bench-tools && $(MVN) package
	$(GO) test -run '^$$' -bench 'ProducerVsKafkaPerf|Pacing50k' -benchtime 1x -timeout 30m -v ./harness/

## bench-startup: the local environment's start-up without its class-data sharing archives
## and with Flink's 10 s registration retry (before), with the 500 ms retry only, and with
## both (-Xshare:on proves the archives are used), in rotated rounds: each component's time
## to ready and a run's start-up, medians, slowest and ratios
bench-startup: build
	$(GO) test -run '^$$' -bench 'Startup' -benchtime 1x -timeout 20m -v ./harness/

## bench-cost: abload's own CPU per event (produce + consume + decode + record) and its
## fixed CPU, from runs of the pass-through example job at 1, 1,000 and 100,000 events/s
## (ABLOAD_COST_RATE) in interleaved rounds on one local environment
bench-cost: build examples
	$(GO) test -run '^$$' -bench 'PerEventCost' -benchtime 1x -timeout 30m -v ./harness/

## bench-docker: one TaskManager container limited to 0.5 vs 1.0 cores at the same
## load (needs Docker and `make images`): e2e latency, lag trend, throttling, ratios
bench-docker: build
	TESTCONTAINERS_RYUK_DISABLED=true $(GO) test -run '^$$' -bench 'TaskManagerCPULimit' -benchtime 1x -timeout 30m -v ./testcontainers/

## bench-capacity: the capacity search against a calibrated truth: one slot's
## saturation rate R at 400 µs/event, then searches at parallelism 1 and 2
## (sustainable/R and p2/p1 in one run; about 10 minutes)
bench-capacity: build
	$(GO) test -run '^$$' -bench 'CapacityAccuracy' -benchtime 1x -timeout 40m -v ./harness/

## bench-compare: record compare's corpus (about 30 minutes): 16 independent quick runs
## (reports/testdata/corpus/aa) and 12 each with 10 ms and 30 ms added each way between the
## job and Kafka (shifted-10ms/, shifted-30ms/), interleaved; then rewrite the default noise
## (reports/noise_default.json) and the manual's noise and gate tables (docs/comparing.md) from it and run the calibration tests
## (A/A false rates, detection of the shifts) on it
bench-compare: build
	ABLOAD_BIN=$(CURDIR)/$(BUILD)/abload reports/testdata/corpus/record.sh
	$(GO) test ./reports -run 'TestDefaultNoiseMatchesCorpus' -count=1 -update
	$(GO) test ./reports -run 'TestNoiseTableInDocs' -count=1 -update
	$(GO) test ./reports -run 'TestGateTableInDocs' -count=1 -update
	$(GO) test ./reports -run 'TestDefaultNoiseMatchesCorpus|TestCompareCalibrationAA|TestCompareDetectsShiftedCorpus|TestCompareDoubledLatencyFourVsFour' -count=1 -v

## bench-soak: abload at 2,000 events/s for 30 minutes (ABLOAD_SOAK=45m for longer): its own
## CPU and RSS over the last five minutes within 1.2× of the first five after warmup
bench-soak: build
	$(GO) test -run '^$$' -bench 'Soak' -benchtime 1x -timeout 60m -v ./harness/

clean:
	@if [ -e $(BUILD)/cds-env/env.json ]; then $(BUILD)/abload env down --dir $(BUILD)/cds-env >/dev/null 2>&1 || true; fi
	rm -rf $(BUILD) results
	cd jobs && $(MVN) clean
	rm -rf jobs/*/target-flink-* jobs/runtime/*/target-flink-*
