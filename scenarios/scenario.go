package scenarios

import "time"

// Scenario is one resolved benchmark scenario: what load to drive, on which
// environment, into which job configuration, and how often.
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Workload    Workload `yaml:"workload" json:"workload"`
	Env         Env      `yaml:"env" json:"env"`
	Kafka       Kafka    `yaml:"kafka" json:"kafka"`
	Job         Job      `yaml:"job" json:"job"`
	Gates       []string `yaml:"gates,omitempty" json:"gates,omitempty"`
	Repetitions int      `yaml:"repetitions" json:"repetitions"`

	// Source is the name of the file the scenario was loaded from.
	Source string `yaml:"-" json:"-"`

	// origins remembers where each leaf value came from (file line or
	// --set argument) so that Validate can point at it.
	origins map[string]origin
}

// Workload is the synthetic load: its rate, phases and key space.
type Workload struct {
	Rate             float64  `yaml:"rate" json:"rate"`
	Duration         Duration `yaml:"duration" json:"duration"`
	Warmup           Duration `yaml:"warmup" json:"warmup"`
	DrainTimeout     Duration `yaml:"drain_timeout" json:"drain_timeout"`
	Campaigns        int      `yaml:"campaigns" json:"campaigns"`
	Variants         []string `yaml:"variants" json:"variants"`
	Recipients       int64    `yaml:"recipients" json:"recipients"`
	Seed             int64    `yaml:"seed" json:"seed"`
	MaxSendDelay     Duration `yaml:"max_send_delay" json:"max_send_delay"`
	MaxConsumerDelay Duration `yaml:"max_consumer_delay" json:"max_consumer_delay"`
}

// Env is the environment the run starts (or, for external, targets).
type Env struct {
	Kind              string   `yaml:"kind" json:"kind"`
	TaskManagers      int      `yaml:"taskmanagers" json:"taskmanagers"`
	Slots             int      `yaml:"slots" json:"slots"`
	TaskManagerMemory string   `yaml:"taskmanager_memory" json:"taskmanager_memory"`
	JobManagerMemory  string   `yaml:"jobmanager_memory" json:"jobmanager_memory"`
	KafkaHeap         string   `yaml:"kafka_heap" json:"kafka_heap"`
	StartupTimeout    Duration `yaml:"startup_timeout" json:"startup_timeout"`
}

// Kafka configures the run's topics and the harness's producer.
type Kafka struct {
	Partitions  int      `yaml:"partitions" json:"partitions"`
	Acks        string   `yaml:"acks" json:"acks"`
	Linger      Duration `yaml:"linger" json:"linger"`
	Compression string   `yaml:"compression" json:"compression"`
}

// Job configures the Flink job under test.
type Job struct {
	Parallelism    int        `yaml:"parallelism" json:"parallelism"`
	Window         Duration   `yaml:"window" json:"window"`
	OutOfOrderness Duration   `yaml:"out_of_orderness" json:"out_of_orderness"`
	Idleness       Duration   `yaml:"idleness" json:"idleness"`
	DedupeTTL      Duration   `yaml:"dedupe_ttl" json:"dedupe_ttl"`
	Checkpoint     Checkpoint `yaml:"checkpoint" json:"checkpoint"`
	Outputs        Outputs    `yaml:"outputs" json:"outputs"`
	SinkLinger     Duration   `yaml:"sink_linger" json:"sink_linger"`
}

// Checkpoint configures Flink checkpointing.
type Checkpoint struct {
	// Interval between checkpoints; 0 turns checkpointing off.
	Interval Duration `yaml:"interval" json:"interval"`
}

// Outputs selects which of the job's two outputs are produced and measured.
type Outputs struct {
	Updates bool `yaml:"updates" json:"updates"`
	Windows bool `yaml:"windows" json:"windows"`
}

// Environment kinds accepted by validation.
const (
	EnvLocal    = "local"
	EnvDocker   = "docker"
	EnvExternal = "external"
)

// Defaults returns a new scenario holding every default value. Name is left
// empty: Load and Parse derive it from the file name.
func Defaults() *Scenario {
	return &Scenario{
		Workload: Workload{
			Rate:             1000,
			Duration:         Duration{30 * time.Second},
			Warmup:           Duration{10 * time.Second},
			DrainTimeout:     Duration{60 * time.Second},
			Campaigns:        20,
			Variants:         []string{"A", "B"},
			Recipients:       100000,
			Seed:             1,
			MaxSendDelay:     Duration{time.Second},
			MaxConsumerDelay: Duration{2 * time.Second},
		},
		Env: Env{
			Kind:              EnvLocal,
			TaskManagers:      1,
			Slots:             2,
			TaskManagerMemory: "1536m",
			JobManagerMemory:  "1024m",
			KafkaHeap:         "768m",
			StartupTimeout:    Duration{180 * time.Second},
		},
		Kafka: Kafka{
			Partitions:  4,
			Acks:        "all",
			Linger:      Duration{time.Millisecond},
			Compression: "none",
		},
		Job: Job{
			Parallelism:    2,
			Window:         Duration{10 * time.Second},
			OutOfOrderness: Duration{2 * time.Second},
			Idleness:       Duration{5 * time.Second},
			DedupeTTL:      Duration{time.Hour},
			Checkpoint:     Checkpoint{Interval: Duration{10 * time.Second}},
			Outputs:        Outputs{Updates: true, Windows: true},
			SinkLinger:     Duration{5 * time.Millisecond},
		},
		Repetitions: 1,
	}
}
