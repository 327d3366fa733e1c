package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/lists"
)

// The Lists: browse and search a List's items, add and remove items, import
// a CSV, create a List. Changes go through the engine's Lists service (the
// one runs read, with the same validation and canonical forms as
// `wf lists`), so the next run sees them; browsing reads the store a page
// at a time.

const itemsPerPage = 50

func (c *Console) listsPage(w http.ResponseWriter, r *http.Request) {
	all, err := c.eng.Lists.Lists(r.Context())
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "lists", page{Title: "Lists", Nav: "lists",
		Data: map[string]any{"Lists": all, "Kinds": lists.Kinds()}})
}

// listView is one List's page.
type listView struct {
	List    store.ListInfo
	Query   string
	Items   []store.ListItem
	Next    template.URL // the next page
	Columns string       // the CSV columns of the List's kind
}

func (c *Console) listPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	info, err := c.eng.Store.GetList(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, http.StatusNotFound, "There is no List "+name+".")
		return
	}
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	v := &listView{List: info, Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	search := v.Query
	if kind, err := lists.ParseKind(info.Kind); err == nil {
		v.Columns = strings.Join(lists.CSVColumns(kind), ",")
		if it, err := lists.NewItem(kind, search, nil); err == nil && search != "" {
			search = it.Value // a whole value is searched in its canonical form
		}
	}
	items, err := c.eng.Store.BrowseListItems(r.Context(), name, search, r.URL.Query().Get("after"), itemsPerPage)
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	v.Items = items
	q := v.Query
	if len(items) == itemsPerPage {
		next := url.Values{}
		if q != "" {
			next.Set("q", q)
		}
		v.Next = pageURL("/lists/"+url.PathEscape(name), next, "after", items[len(items)-1].Value)
	}
	c.render(w, r, http.StatusOK, "list", page{Title: "List " + name, Nav: "lists", Data: v})
}

// back returns to a List's page with a message.
func (c *Console) back(w http.ResponseWriter, r *http.Request, name, flash, problem string) {
	sessionOf(r).say(flash, problem)
	http.Redirect(w, r, "/lists/"+url.PathEscape(name), http.StatusSeeOther)
}

// listKind returns a List's kind; a missing List is answered with a 404
// page (ok false), as is a store that fails (500).
func (c *Console) listKind(w http.ResponseWriter, r *http.Request, name string) (lists.Kind, bool) {
	l, err := c.eng.Lists.Store().GetList(r.Context(), name)
	if err != nil {
		c.listFailed(w, r, name, err)
		return 0, false
	}
	return l.Kind, true
}

// listFailed answers a failure of the Lists service after the input was
// checked: the List is gone (404) or the store failed (500).
func (c *Console) listFailed(w http.ResponseWriter, r *http.Request, name string, err error) {
	if errors.Is(err, lists.ErrNotFound) {
		c.fail(w, r, http.StatusNotFound, "There is no List "+name+".")
		return
	}
	c.failErr(w, r, err)
}

func (c *Console) addItem(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	kind, ok := c.listKind(w, r, name)
	if !ok {
		return
	}
	value := strings.TrimSpace(r.PostFormValue("value"))
	if value == "" {
		c.back(w, r, name, "", "Enter a value to add.")
		return
	}
	data, err := parseAttrs(r.PostFormValue("attrs"))
	if err == nil {
		_, err = lists.NewItem(kind, value, data) // the service checks again; this tells bad input from failures
	}
	if err != nil {
		c.back(w, r, name, "", "Could not add "+value+": "+err.Error())
		return
	}
	it, err := c.eng.Lists.Add(r.Context(), name, value, data)
	if err != nil {
		c.listFailed(w, r, name, err)
		return
	}
	c.log.Info("console list item added", "list", name, "value", it.Value, "user", sessionOf(r).user)
	c.back(w, r, name, "Added "+it.Value+" to "+name+".", "")
}

// parseAttrs reads "key=value, key=value" item attributes.
func parseAttrs(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("attributes are key=value pairs separated by commas (such as match_type=domain); %q is not one", strings.TrimSpace(part))
		}
		out[k] = v
	}
	return out, nil
}

func (c *Console) removeItem(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	kind, ok := c.listKind(w, r, name)
	if !ok {
		return
	}
	value := r.PostFormValue("value")
	if _, err := lists.NewItem(kind, value, nil); err != nil {
		c.back(w, r, name, "", "Could not remove "+value+": "+err.Error())
		return
	}
	removed, err := c.eng.Lists.Remove(r.Context(), name, value)
	if err != nil {
		c.listFailed(w, r, name, err)
		return
	}
	if !removed {
		c.back(w, r, name, "", value+" is not on "+name+".")
		return
	}
	c.log.Info("console list item removed", "list", name, "value", value, "user", sessionOf(r).user)
	c.back(w, r, name, "Removed "+value+" from "+name+".", "")
}

// importCSV adds a CSV file's items (Persona's columns for the List's
// kind); nothing is added when any row is bad, and every bad row is named.
func (c *Console) importCSV(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	kind, ok := c.listKind(w, r, name)
	if !ok {
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		c.back(w, r, name, "", "Choose a CSV file to import.")
		return
	}
	defer f.Close()
	items, err := lists.ParseCSV(kind, f)
	if err != nil {
		c.back(w, r, name, "", "Nothing was imported: "+err.Error())
		return
	}
	n, err := c.eng.Lists.Store().AddItems(r.Context(), name, items)
	if err != nil {
		c.listFailed(w, r, name, err)
		return
	}
	c.log.Info("console list imported", "list", name, "added", n, "user", sessionOf(r).user)
	c.back(w, r, name, fmt.Sprintf("Imported %d new item(s) into %s.", n, name), "")
}

func (c *Console) createList(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	kind, err := lists.ParseKind(r.PostFormValue("kind"))
	s := sessionOf(r)
	if err == nil {
		err = lists.CheckListName(name)
	}
	if err == nil {
		_, err = c.eng.Lists.Create(r.Context(), name, kind)
		if errors.Is(err, lists.ErrExists) {
			err = fmt.Errorf("a List named %s already exists", name)
		}
	}
	if err != nil {
		s.say("", "The List could not be created: "+err.Error())
		http.Redirect(w, r, "/lists", http.StatusSeeOther)
		return
	}
	c.log.Info("console list created", "list", name, "kind", kind.String(), "user", s.user)
	c.back(w, r, name, "Created the List "+name+" ("+kind.String()+").", "")
}
