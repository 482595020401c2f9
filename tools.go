//go:build tools

package tools
import (
 _ "github.com/twmb/franz-go/pkg/kgo"
 _ "github.com/twmb/franz-go/pkg/kadm"
 _ "github.com/HdrHistogram/hdrhistogram-go"
 _ "golang.org/x/time/rate"
 _ "go.yaml.in/yaml/v3"
)

