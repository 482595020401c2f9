package scenarios

import (
	"reflect"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []int
	}{
		{"0", []int{0}},
		{"1", []int{1}},
		{"0-1", []int{0, 1}},
		{"0,2", []int{0, 2}},
		{"3,0-1", []int{0, 1, 3}},
		{"0-2,1-3,2", []int{0, 1, 2, 3}},
		{"5-5", []int{5}},
		{"007", []int{7}},
		{"1023", []int{1023}},
	} {
		got, err := ParseCPUList(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCPUList(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", " ", "0 ", "a", "-1", "1-", "-", "1-0", "0,", ",0", "0,,1", "0-1-2", "0:2", "1024", "0-99999999999999999999", "0x1", "+1"} {
		if got, err := ParseCPUList(in); err == nil {
			t.Errorf("ParseCPUList(%q) = %v, want an error", in, got)
		}
	}
}

func TestFormatCPUList(t *testing.T) {
	for _, tt := range []struct {
		in   []int
		want string
	}{
		{nil, ""},
		{[]int{0}, "0"},
		{[]int{0, 1}, "0-1"},
		{[]int{0, 2}, "0,2"},
		{[]int{0, 1, 2, 5, 7, 8}, "0-2,5,7-8"},
	} {
		if got := FormatCPUList(tt.in); got != tt.want {
			t.Errorf("FormatCPUList(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if len(tt.in) > 0 {
			if back, err := ParseCPUList(tt.want); err != nil || !reflect.DeepEqual(back, tt.in) {
				t.Errorf("ParseCPUList(%q) = %v, %v; want %v", tt.want, back, err, tt.in)
			}
		}
	}
}

// The machine's CPUs are read at startup, in increasing order.
func TestMachineCPUs(t *testing.T) {
	cpus := machineCPUs()
	if len(cpus) == 0 {
		t.Fatal("no CPUs")
	}
	for i := 1; i < len(cpus); i++ {
		if cpus[i] <= cpus[i-1] {
			t.Fatalf("CPUs %v are not in increasing order", cpus)
		}
	}
}
