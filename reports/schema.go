package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/abload/abload/scenarios"
	"github.com/invopop/jsonschema"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"
)

// ResultSchemaJSON is the JSON Schema of result.json (schema/result.schema.json),
// generated from the Result type by GenerateResultSchema; a test keeps the
// file and the type in step.
//
//go:embed schema/result.schema.json
var ResultSchemaJSON []byte

// ResultSchemaID is the schema's $id.
const ResultSchemaID = "https://github.com/abload/abload/reports/schema/result.schema.json"

// GenerateResultSchema reflects the Result type into a JSON Schema. Fields
// without omitempty are required; unknown fields are allowed, so a reader
// of this version accepts results that later minor versions extended.
func GenerateResultSchema() ([]byte, error) {
	r := &jsonschema.Reflector{AllowAdditionalProperties: true, DoNotReference: false, ExpandedStruct: true,
		// The resolved scenario is checked by the scenarios package when a
		// scenario is loaded, and grows with every knob: any object, so a
		// result an older or newer abload wrote validates.
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == reflect.TypeOf(scenarios.Scenario{}) {
				return &jsonschema.Schema{Description: "the resolved scenario (see the scenario field reference)"}
			}
			return nil
		}}
	s := r.Reflect(&Result{})
	s.ID = jsonschema.ID(ResultSchemaID)
	s.Title = "abload result (" + Schema + ")"
	s.Description = "result.json of one abload run; see docs/outputs.md."
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

var (
	schemaOnce sync.Once
	schema     *jsv.Schema
	schemaErr  error
)

// ValidateResultJSON checks a result.json's bytes against the schema.
func ValidateResultJSON(b []byte) error {
	schemaOnce.Do(func() {
		doc, err := jsv.UnmarshalJSON(bytes.NewReader(ResultSchemaJSON))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsv.NewCompiler()
		if err := c.AddResource(ResultSchemaID, doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile(ResultSchemaID)
	})
	if schemaErr != nil {
		return fmt.Errorf("result schema: %w", schemaErr)
	}
	inst, err := jsv.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}
