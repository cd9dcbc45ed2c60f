extension HTMLReport {
    /// The report's stylesheet: inline, so the file opens from disk with no network.
    static let stylesheet = HTML(
        trusted: """
            :root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--ok:#1a7f37;--okbg:#dafbe1;
            --bad:#cf222e;--badbg:#ffebe9;--warn:#9a6700;--warnbg:#fff8c5;--accent:#0969da;--accentbg:#ddf4ff}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--soft)}
            main{max-width:1320px;margin:0 auto;padding:24px 28px 64px}
            h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
            h3{font-size:15px;margin:16px 0 8px} h4{font-size:13px;margin:8px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
            section.card{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:18px 0}
            .sub{color:var(--muted)} .small{font-size:12px} .mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
            table{border-collapse:collapse;width:100%} th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
            th{font-size:12px;color:var(--muted);font-weight:600;background:var(--soft)} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            .meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:8px 18px;margin:12px 0}
            .meta div b{display:block;font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;font-weight:600}
            .badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;border:1px solid transparent;white-space:nowrap}
            .b-ok{color:var(--ok);background:var(--okbg);border-color:#aceebb} .b-bad{color:var(--bad);background:var(--badbg);border-color:#ffcecb}
            .b-warn{color:var(--warn);background:var(--warnbg);border-color:#eed888} .b-neutral{color:var(--muted);background:var(--soft);border-color:var(--line)}
            .b-mock{color:#8250df;background:#fbefff;border-color:#e8d4fa}
            .glance{display:grid;grid-template-columns:minmax(260px,340px) 1fr;gap:24px;align-items:start}
            .big{font-size:44px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums} .big small{font-size:16px;font-weight:500;color:var(--muted)}
            .callout{border-left:4px solid var(--bad);background:var(--badbg);padding:10px 14px;border-radius:6px;margin:12px 0}
            .callout.ok{border-color:var(--ok);background:var(--okbg)} .callout.neutral{border-color:var(--line);background:var(--soft)}
            .facts{margin:10px 0 0;padding:0;list-style:none} .facts li{margin:3px 0}
            .two{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}
            svg{max-width:100%;height:auto} svg text{font:12px system-ui,sans-serif;fill:var(--fg)} svg .axis{fill:var(--muted);font-size:11px}
            .heat td{text-align:center;font-variant-numeric:tabular-nums;min-width:78px;border:1px solid #fff}
            .heat td.k{font-size:11px;color:#333} .heat th{text-align:center} .heat th.row{text-align:right}
            .gate-list li.fail{color:var(--bad)} .gate-list li.pass{color:var(--ok)}
            table.modes td.num,table.modes td.ci{white-space:nowrap}
            .filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:8px 0 14px}
            .filters label{font-size:12px;color:var(--muted)} .filters select{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:6px;background:#fff;max-width:220px}
            .pager{display:flex;gap:8px;align-items:center;margin:10px 0} .pager button{font:inherit;padding:3px 12px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
            article.case{border:1px solid var(--line);border-radius:8px;margin:10px 0;background:#fff}
            article.case.dis{border-left:4px solid var(--bad)} article.case.agree{border-left:4px solid var(--ok)} article.case.diff{border-left:4px solid #d4a72c} article.case.nj{border-left:4px solid var(--line)}
            article.case summary{cursor:pointer;padding:8px 12px;display:flex;flex-wrap:wrap;gap:8px;align-items:center;list-style:none}
            article.case summary::-webkit-details-marker{display:none}
            article.case .body{padding:4px 14px 14px;border-top:1px solid var(--line)}
            article.case.brief{padding:6px 12px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
            .cid{font-weight:600} .tag{font-size:11px;color:var(--accent);background:var(--accentbg);border-radius:4px;padding:0 6px}
            pre{white-space:pre-wrap;word-break:break-word;margin:0;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px;max-height:320px;overflow:auto}
            .answers{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:10px;margin-top:8px}
            .answer{border:1px solid var(--line);border-radius:8px;overflow:hidden;display:flex;flex-direction:column}
            .answer header{display:flex;gap:6px;align-items:center;padding:6px 10px;background:var(--soft);border-bottom:1px solid var(--line);font-weight:600;flex-wrap:wrap}
            .answer .content{padding:8px 10px} .answer pre{max-height:260px}
            .answer.g0{border-top:3px solid var(--ok)} .answer.g1{border-top:3px solid #bf3989} .answer.g2{border-top:3px solid #8250df}
            .answer.g3{border-top:3px solid #bc4c00} .answer.gx{border-top:3px solid #6e7781} .answer.failed{border-top:3px solid var(--bad);background:#fffafa}
            .grp{font-size:11px;font-weight:700;border-radius:4px;padding:0 6px;color:#fff;background:#6e7781}
            .grp.g0{background:var(--ok)} .grp.g1{background:#bf3989} .grp.g2{background:#8250df} .grp.g3{background:#bc4c00}
            mark{background:#ffd8b5;color:inherit;border-radius:2px;padding:0 1px;outline:1px solid #f0a868}
            del{background:#ffd7d5;text-decoration:line-through;color:#82071e} ins{background:#ccffd8;text-decoration:none;color:#055d20}
            .calls{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word}
            .fn{color:#8250df;font-weight:600} .err{color:var(--bad)} .note{font-size:12px;color:var(--muted);margin-top:6px}
            .profiles{margin-top:10px;font-size:12.5px;padding:8px 10px;border-radius:6px;background:var(--warnbg);border:1px solid #eed888}
            .hidden{display:none!important}
            footer{color:var(--muted);font-size:12px;margin-top:30px}
            @media print{.filters,.pager{display:none} body{background:#fff}}
            """)

    /// Filtering and paging of the cases: reads only the data attributes the report wrote (each parsed with
    /// JSON.parse, never evaluated) and toggles a class; nothing is fetched and no markup is built from data.
    static let script = HTML(
        trusted: """
            (function(){
              var cases=Array.prototype.slice.call(document.querySelectorAll('article.case'));
              var f={suite:document.getElementById('f-suite'),tag:document.getElementById('f-tag'),
                     backend:document.getElementById('f-backend'),verdict:document.getElementById('f-verdict')};
              var info=document.getElementById('f-info'),prev=document.getElementById('f-prev'),next=document.getElementById('f-next');
              var per=40,page=0,shown=[];
              function list(v){try{return JSON.parse(v||'[]')}catch(e){return []}}
              function keep(c){
                var d=c.dataset;
                if(f.suite.value&&d.suite!==f.suite.value)return false;
                if(f.tag.value&&list(d.tags).indexOf(f.tag.value)<0)return false;
                if(f.backend.value&&list(d.odd).indexOf(f.backend.value)<0)return false;
                if(f.verdict.value&&list(d.verdict).indexOf(f.verdict.value)<0)return false;
                return true;
              }
              function render(){
                var pages=Math.max(1,Math.ceil(shown.length/per));
                if(page>=pages)page=pages-1;
                cases.forEach(function(c){c.classList.add('hidden')});
                shown.slice(page*per,(page+1)*per).forEach(function(c){c.classList.remove('hidden')});
                info.textContent=shown.length?('Showing '+(page*per+1)+'\\u2013'+Math.min(shown.length,(page+1)*per)+' of '+shown.length+' case repeats (page '+(page+1)+' of '+pages+')'):'No case repeat matches these filters.';
                prev.disabled=page===0;next.disabled=page>=pages-1;
              }
              function apply(){shown=cases.filter(keep);page=0;render()}
              Object.keys(f).forEach(function(k){f[k].addEventListener('change',apply)});
              prev.addEventListener('click',function(){page--;render();document.getElementById('cases').scrollIntoView()});
              next.addEventListener('click',function(){page++;render();document.getElementById('cases').scrollIntoView()});
              apply();
            })();
            """)
}
