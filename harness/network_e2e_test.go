package harness

func optS(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
