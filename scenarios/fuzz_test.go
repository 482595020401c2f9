package scenarios

import (
	"os"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

func FuzzParse(f *testing.F) {
	quick, err := os.ReadFile("quick.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(quick),
		"",
		"workload:\n  rate: -5\n  rte: 1\n",
		"job:\n  <<: [{parallelism: 1}, {window: 1s}]\n",
		"a: &a [x, x]\nb: &b [*a, *a]\n",
		"workload:\n  variants: [A, B, A]\n",
		"- 1\n- 2\n",
		"name: a\n---\nname: b\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data, nil)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned both a scenario and an error")
			}
			if err.Error() == "" {
				t.Fatalf("empty error message")
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted a scenario that Validate rejects: %v", err)
		}
		// Whatever parses must survive a round trip through YAML.
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse("fuzz.yaml", out, nil)
		if err != nil {
			t.Fatalf("re-Parse of\n%s\nfailed: %v", out, err)
		}
		s.origins, back.origins = nil, nil
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", s, back)
		}
	})
}
